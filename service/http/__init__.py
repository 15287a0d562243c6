"""The HTTP layer: the Litestar app, its guards, the server's edge and the contract."""
