// The API docs at /schema: Swagger UI, served by the service from its locked package, showing
// the contract. No validator badge: it would send the contract to a third party.
window.ui = SwaggerUIBundle({
  url: "/schema/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
