# astropy's BoxLeastSquares on the light curve written by scripts/bench-bls.mjs, for
# `npm run bench:bls`. Reads float64 little-endian arrays (t, y, dy, periods, durations) from the
# directory given, times BoxLeastSquares.power (objective "likelihood", oversample 10) best of
# `repeats` runs, writes its power to power.f64 and prints one JSON object.
import json
import sys
import time

import numpy as np
from astropy import __version__ as astropy_version
from astropy.timeseries import BoxLeastSquares

folder, repeats, oversample = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load = lambda name: np.fromfile(f"{folder}/{name}.f64", dtype="<f8")
t, y, dy, periods, durations = (load(n) for n in ("t", "y", "dy", "periods", "durations"))
model = BoxLeastSquares(t, y, dy)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    result = model.power(periods, durations, objective="likelihood", oversample=oversample)
    times.append(time.perf_counter() - start)
best = int(np.argmax(result.power))
np.asarray(result.power, dtype="<f8").tofile(f"{folder}/power.f64")
print(json.dumps({
    "seconds": min(times),
    "all_seconds": times,
    "best_period": float(periods[best]),
    "best_power": float(result.power[best]),
    "astropy": astropy_version,
    "numpy": np.__version__,
}))
