"""Trains an XGBoost model of log price on Loupe's features: the trainer behind the pipeline's `xgboost` kind.

    /usr/bin/python3 scripts/train-xgboost.py --features FEATURES.csv --out DIR --params JSON

FEATURES.csv is what the pipeline writes from its snapshot (the same feature code Loupe serves with): the feature
columns, then `log_price` (the target) and `fold` (0..K-1, Loupe's own fold assignment). The script writes to DIR:
  model.json   the booster trained on all rows (XGBoost's own save_model format, feature names included)
  oof.txt      one line per input row: the log price predicted by the booster that did not see that row's fold
               (Loupe calibrates the price ranges on these, exactly as for its own models)
  info.json    the XGBoost version, rounds and the seconds spent

The same xgb.train call runs on one machine here and, with a distributed DMatrix, on Spark, Dask or a managed
training service; an operator points LOUPE_XGBOOST_TRAINER at such a job and keeps this contract of files.
Deterministic: fixed seed, no sampling unless the parameters ask for it (and then seeded).
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb


def read_features(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if "log_price" not in header or "fold" not in header:
            raise SystemExit(f"{path}: expected columns log_price and fold after the features; got {', '.join(header)}")
        n_features = header.index("log_price")
        names = header[:n_features]
        target_col, fold_col = header.index("log_price"), header.index("fold")
        x, y, fold = [], [], []
        for line, rec in enumerate(reader, start=2):
            if len(rec) != len(header):
                raise SystemExit(f"{path}:{line}: {len(rec)} cells, expected {len(header)}")
            x.append([float(v) for v in rec[:n_features]])
            y.append(float(rec[target_col]))
            fold.append(int(rec[fold_col]))
    if not x:
        raise SystemExit(f"{path}: no rows")
    return names, np.array(x, dtype=np.float64), np.array(y, dtype=np.float64), np.array(fold, dtype=np.int64)


def train(names, x, y, params, rounds):
    dtrain = xgb.DMatrix(x, label=y, feature_names=names)
    # Start from the mean log price: with XGBoost's default base score (0.5) the first trees would spend
    # themselves on the level of the prices rather than on their differences.
    return xgb.train({**params, "base_score": float(np.mean(y))}, dtrain, num_boost_round=rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--params", required=True, help="JSON: XGBoost parameters, plus num_boost_round")
    args = parser.parse_args()

    params = json.loads(args.params)
    rounds = int(params.pop("num_boost_round", 500))
    names, x, y, fold = read_features(args.features)
    start = time.time()

    oof = np.empty(len(y), dtype=np.float64)
    for f in sorted(set(fold.tolist())):
        held = fold == f
        booster = train(names, x[~held], y[~held], params, rounds)
        oof[held] = booster.predict(xgb.DMatrix(x[held], feature_names=names), output_margin=True)

    final = train(names, x, y, params, rounds)
    os.makedirs(args.out, exist_ok=True)
    final.save_model(os.path.join(args.out, "model.json"))
    with open(os.path.join(args.out, "oof.txt"), "w") as f:
        f.write("\n".join(repr(float(v)) for v in oof))
        f.write("\n")
    with open(os.path.join(args.out, "info.json"), "w") as f:
        json.dump({"xgboost": xgb.__version__, "rounds": rounds, "seconds": time.time() - start}, f)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # a clear last line for the run record, not only a traceback
        print(f"train-xgboost: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
