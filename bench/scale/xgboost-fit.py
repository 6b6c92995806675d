"""One XGBoost fit for bench/scale.ts: loads raw float64 (row-major X, then y), trains hist trees with the
options given as JSON in argv[1], prints one JSON line: fit seconds (DMatrix + train), CPU seconds, peak RSS."""
import json
import resource
import sys
import time

import numpy as np
import xgboost as xgb

spec = json.loads(sys.argv[1])
rows, nf, threads = spec["rows"], spec["features"], spec["threads"]
X = np.fromfile(spec["xRowMajor"], dtype=np.float64).reshape(rows, nf)
y = np.fromfile(spec["y"], dtype=np.float64)
params = {
    "tree_method": "hist",
    "max_depth": spec["maxDepth"],
    "max_bin": spec["maxBins"],
    "eta": spec["learningRate"],
    "lambda": 1.0,
    "min_child_weight": 1.0,
    "base_score": float(y.mean()),
    "nthread": threads,
    "seed": 0,
}
wall0 = time.perf_counter()
cpu0 = time.process_time()
data = xgb.DMatrix(X, label=y, nthread=threads)
booster = xgb.train(params, data, num_boost_round=spec["trees"])
fit_seconds = time.perf_counter() - wall0
cpu_seconds = time.process_time() - cpu0
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before predict, whose output is not part of fitting
pred = booster.predict(data)
rmse = float(np.sqrt(np.mean((pred - y) ** 2)))
print(json.dumps({"engine": "xgboost", "version": xgb.__version__, "fitSeconds": fit_seconds, "cpuSeconds": cpu_seconds, "peakRssMB": peak_kb / 1024, "trainRmse": rmse}))
