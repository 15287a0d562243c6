"""roi-service: what introducing a CRM is worth and how fast it pays back.

numpy's BLAS starts a thread per core unless told otherwise before numpy loads: on 2 vCPU two
threads made the uncertainty's sampling 2 to 4 times slower, and jittery, with two workers
competing for the cores. Each worker uses one; the environment may still say otherwise.
"""

import os

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")
