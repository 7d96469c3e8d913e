#!/usr/bin/python3
"""MovieLens baselines next to recgrad, all on exactly the same split.

    /usr/bin/python3 bench/movielens_baselines.py DATA_DIR [--seeds 1 2 3] [--epochs 5] [--models baseline bias din]
                     [--recgrad build/bin/recgrad --config configs/movielens.json --kinds din multi_head mean]

DATA_DIR is what `recgrad prepare movielens DIR --out DATA_DIR` writes: train.tsv and test.tsv, TAB-separated
with a header, columns label, user_id, item_id, item_genres, timestamp, hist_item_ids, hist_genres,
hist_timestamps (history cells joined by ",", oldest first; genres within a cell joined by "|"). When the
header also has item_feedback and hist_feedback (a single-valued side field: the target's cell, one entry per
history item), the din model uses it as a third item field, unless --no-feedback.

The split is recgrad's: test = test.tsv; validation = within each user's rows of train.tsv, in file order,
the last floor(validation_fraction * n_u + 0.5); the rest is the training part. Vocabularies come from the
training part only (0 padding, 1 out-of-vocabulary, ids seen fewer than --min-count times as target or in
a history -> 1; users counted by rows; genre and feedback values counted like items). Histories keep their
--max-len most recent items, most recent first.

Models compared:
  baseline  no learning: score = smoothed user click rate + smoothed item click rate, counted on the
            training part; rate = (clicks + m * global) / (n + m), m = --prior (unseen -> global rate)
  bias      logit = b + b_user + b_item, Adam (lr --bias-lr)
  din       plain PyTorch DIN, as a PyTorch user writes it (dense nn.Embedding, torch.optim.Adam), the
            architecture of recgrad's ClickModel with DIN attention (models/click_model.h). Defaults here
            differ from recgrad's config defaults in din_activation (prelu, not dice) and user_embedding (on).
            An item is concat(id, mean of its genres[, feedback]) embeddings, each --embedding-dim wide,
            in recgrad's field order (id, then item_side in config order: item_genres, item_feedback)
  recgrad:K `recgrad train CONFIG` with model.attention.kind=K, training.seed and data.validation_fraction
            set; the rest (max_len, min_count, sizes, epochs) is the config's: keep them in step by hand
The learned models are evaluated on validation after every epoch; only the epoch with the best validation
AUC is evaluated on test, once. AUC from ranks with ties averaged; logloss with p clipped to [1e-7, 1-1e-7].
Summary: mean ± sample std over seeds. Everything is seeded (numpy, torch), so a rerun gives the same numbers.
"""
import argparse
import copy
import json
import math
import os
import subprocess
import tempfile
import time
from collections import Counter, defaultdict

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from torch_click_model import Dice, mlp  # recgrad's Dice and the MLP of its layers, shared with the speed twin

COLUMNS = ["label", "user_id", "item_id", "item_genres", "hist_item_ids", "hist_genres"]
FEEDBACK_COLUMNS = ["item_feedback", "hist_feedback"]  # optional; appended to a row when read


# ---- reading and splitting ---------------------------------------------------------------------
def read_header(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\n").split("\t")


def read_tsv(path, columns=COLUMNS):
    """Rows as tuples of the raw cells of columns (histories are split later, when needed)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        missing = [c for c in columns if c not in header]
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(missing)} in the header")
        at = [header.index(c) for c in columns]
        lines = (line.rstrip("\n").split("\t") for line in f if line.strip())
        return [tuple(cells[i] for i in at) for cells in lines]


def split_validation(rows, fraction):
    """recgrad's rule: the last floor(fraction * n_u + 0.5) rows of each user (file order) -> validation."""
    by_user = defaultdict(list)
    for i, row in enumerate(rows):
        by_user[row[1]].append(i)
    valid = set()
    for indices in by_user.values():
        k = math.floor(fraction * len(indices) + 0.5)
        valid.update(indices[len(indices) - k:])
    return [r for i, r in enumerate(rows) if i not in valid], [r for i, r in enumerate(rows) if i in valid]


def cell_list(cell, sep):
    return cell.split(sep) if cell else []


# ---- vocabularies and encoding -----------------------------------------------------------------
def vocabulary(counts, min_count):
    """id -> row: 0 padding, 1 out-of-vocabulary, known ids from 2 in byte-wise order (as data/vocabulary.h)."""
    known = sorted((k for k, c in counts.items() if c >= min_count), key=lambda s: s.encode())
    return {k: i + 2 for i, k in enumerate(known)}


def build_vocabularies(train, min_count, feedback):
    """feedback: rows carry item_feedback, hist_feedback after COLUMNS (a single-valued field: a cell is one value)."""
    users, items, genres, feedbacks = Counter(), Counter(), Counter(), Counter()
    for user, item, item_genres, hist_items, hist_genres, *rest in (row[1:] for row in train):
        users[user] += 1
        items[item] += 1
        items.update(cell_list(hist_items, ","))
        genres.update(cell_list(item_genres, "|"))
        for cell in cell_list(hist_genres, ","):
            genres.update(cell_list(cell, "|"))
        if feedback:
            feedbacks[rest[0]] += 1
            feedbacks.update(cell_list(rest[1], ","))
    vocabs = {"users": vocabulary(users, min_count), "items": vocabulary(items, min_count),
              "genres": vocabulary(genres, min_count)}
    if feedback:
        vocabs["feedback"] = vocabulary(feedbacks, min_count)
    return vocabs


class GenreSets:
    """Each distinct genre cell ("Comedy|Drama") gets a row of `table` [C, G] of genre rows, 0-padded; row 0 = empty."""

    def __init__(self, vocab):
        self.vocab, self.index, self.rows = vocab, {"": 0}, [[]]

    def __call__(self, cell):
        if cell not in self.index:
            self.index[cell] = len(self.rows)
            self.rows.append([self.vocab.get(g, 1) for g in cell.split("|")])
        return self.index[cell]

    def table(self):
        width = max(1, max(len(r) for r in self.rows))
        return torch.tensor([r + [0] * (width - len(r)) for r in self.rows], dtype=torch.long)


def encode(rows, vocabs, genre_sets, max_len):
    n, items, users, feedback = len(rows), vocabs["items"], vocabs["users"], vocabs.get("feedback")
    d = {"label": np.zeros(n, np.float32), "user": np.zeros(n, np.int64), "item": np.zeros(n, np.int64),
         "genres": np.zeros(n, np.int64), "hist_item": np.zeros((n, max_len), np.int64),
         "hist_genres": np.zeros((n, max_len), np.int64), "length": np.zeros(n, np.int64)}
    if feedback is not None:
        d["feedback"], d["hist_feedback"] = np.zeros(n, np.int64), np.zeros((n, max_len), np.int64)
    for r, (label, user, item, item_genres, hist_items, hist_genres, *rest) in enumerate(rows):
        d["label"][r], d["user"][r], d["item"][r] = float(label), users.get(user, 1), items.get(item, 1)
        d["genres"][r] = genre_sets(item_genres)
        recent = cell_list(hist_items, ",")[::-1][:max_len]  # most recent first
        recent_genres = cell_list(hist_genres, ",")[::-1][:max_len]
        d["length"][r] = len(recent)
        d["hist_item"][r, :len(recent)] = [items.get(i, 1) for i in recent]
        d["hist_genres"][r, :len(recent)] = [genre_sets(g) for g in recent_genres]
        if feedback is not None:
            recent_feedback = cell_list(rest[1], ",")[::-1][:max_len]
            if len(recent_feedback) != len(recent):
                raise SystemExit(f"row {r + 1}: hist_feedback has {len(cell_list(rest[1], ','))} entries, "
                                 f"hist_item_ids {len(cell_list(hist_items, ','))}")
            d["feedback"][r] = feedback.get(rest[0], 1)
            d["hist_feedback"][r, :len(recent)] = [feedback.get(v, 1) for v in recent_feedback]
    return d


# ---- batching ----------------------------------------------------------------------------------
def make_batch(data, idx, genre_table):
    """Tensors of the rows idx; histories padded to the longest among them (as recgrad's make_batch)."""
    T = max(1, int(data["length"][idx].max()))
    t = {k: torch.from_numpy(data[k][idx]) for k in ("label", "user", "item", "genres", "length")}
    t["genres"] = genre_table[t["genres"]]                                       # [B, G]
    t["hist_item"] = torch.from_numpy(data["hist_item"][idx, :T])                 # [B, T]
    t["hist_genres"] = genre_table[torch.from_numpy(data["hist_genres"][idx, :T])]  # [B, T, G]
    t["padded"] = torch.arange(T).unsqueeze(0) >= t["length"].unsqueeze(1)        # [B, T], True = padding
    if "feedback" in data:
        t["feedback"] = torch.from_numpy(data["feedback"][idx])                   # [B]
        t["hist_feedback"] = torch.from_numpy(data["hist_feedback"][idx, :T])     # [B, T]
    return t


def batches(n, size, rng=None):
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return [order[i:i + size] for i in range(0, n, size)]


# ---- models ------------------------------------------------------------------------------------
class DinAttention(nn.Module):
    """layers/din_attention.h: MLP over [q, k, q - k, q * k] of the unpadded positions; softmax over them or raw."""

    def __init__(self, dim, hidden, activation, softmax):
        super().__init__()
        self.unit, self.softmax = mlp([4 * dim] + hidden + [1], activation), softmax

    def forward(self, query, history, padded):  # [B, D], [B, T, D], [B, T]
        real = ~padded
        q, k = query.unsqueeze(1).expand_as(history)[real], history[real]  # [n, D]: real pairs only
        scores = history.new_zeros(padded.shape)
        if k.shape[0] > 0:
            scores = scores.masked_scatter(real, self.unit(torch.cat([q, k, q - k, q * k], -1)).squeeze(-1))
        if self.softmax:  # an all-padded row gets weights 0 (a uniform softmax times the mask)
            scores = torch.softmax(scores.masked_fill(padded, torch.finfo(scores.dtype).min), -1) * real
        return (scores.unsqueeze(1) @ history).squeeze(1)  # sum_t w_t v_t: [B, D]


class DinModel(nn.Module):
    """models/click_model.h with attention kind din: item = [id embedding, mean of genre embeddings
    (, feedback embedding when sizes has "feedback")], the fields in recgrad's order, the same tables for the
    target and the history."""

    def __init__(self, sizes, args):
        super().__init__()
        fields = 3 if "feedback" in sizes else 2
        e, D = args.embedding_dim, fields * args.embedding_dim
        self.item_id = nn.Embedding(sizes["items"], e, padding_idx=0)
        self.genre = nn.Embedding(sizes["genres"], e, padding_idx=0)
        self.feedback = nn.Embedding(sizes["feedback"], e, padding_idx=0) if fields == 3 else None
        self.users = nn.Embedding(sizes["users"], e, padding_idx=0) if args.user_embedding else None
        self.positions = nn.Embedding(args.max_len, D) if args.position else None  # position 0 = most recent
        self.attention = DinAttention(D, args.din_hidden, args.din_activation, args.softmax)
        self.tower = mlp([(e if args.user_embedding else 0) + 3 * D] + args.tower_hidden + [1], "prelu")
        for m in self.modules():  # N(0, init_std^2), padding rows zero; --init-std 1 is PyTorch's default
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, 0.0, args.init_std)
                if m.padding_idx is not None:
                    with torch.no_grad():
                        m.weight[m.padding_idx].zero_()

    def item(self, ids, genres, feedback=None):  # [...], [..., G], [...] -> [..., D]; genres: mean of the cell's values
        count = (genres > 0).sum(-1, keepdim=True).clamp(min=1)
        parts = [self.item_id(ids), self.genre(genres).sum(-2) / count]
        if self.feedback is not None:
            parts.append(self.feedback(feedback))
        return torch.cat(parts, -1)

    def forward(self, b):
        target = self.item(b["item"], b["genres"], b.get("feedback"))                    # [B, D]
        history = self.item(b["hist_item"], b["hist_genres"], b.get("hist_feedback"))   # [B, T, D]
        if self.positions is not None:
            history = history + self.positions.weight[:history.shape[1]]
        pooled = self.attention(target, history, b["padded"])
        parts = ([self.users(b["user"])] if self.users is not None else []) + [target, pooled, target * pooled]
        return self.tower(torch.cat(parts, -1)).squeeze(-1)


class BiasModel(nn.Module):
    """logit = b + b_user + b_item (all start at zero; unseen users/items share the untrained OOV row)."""

    def __init__(self, sizes, args):
        super().__init__()
        self.b = nn.Parameter(torch.zeros(1))
        self.user = nn.Embedding(sizes["users"], 1, padding_idx=0)
        self.item = nn.Embedding(sizes["items"], 1, padding_idx=0)
        nn.init.zeros_(self.user.weight), nn.init.zeros_(self.item.weight)

    def forward(self, b):
        return self.b + self.user(b["user"]).squeeze(-1) + self.item(b["item"]).squeeze(-1)


def counting_baseline(train, rows, prior):
    """Scores for rows: smoothed user rate + smoothed item rate. For logloss the probability is their mean
    (a click rate itself, in [0, 1]); the score ranks exactly as that mean, so AUC is the same either way."""
    labels = np.array([float(r[0]) for r in train])
    g = labels.mean()
    rate = {}
    for col in (1, 2):
        clicks, n = defaultdict(float), defaultdict(int)
        for r, y in zip(train, labels):
            clicks[r[col]] += y
            n[r[col]] += 1
        rate[col] = {k: (clicks[k] + prior * g) / (n[k] + prior) for k in n}
    u, i = np.array([[rate[1].get(r[1], g), rate[2].get(r[2], g)] for r in rows]).T
    return u + i, (u + i) / 2


# ---- evaluation --------------------------------------------------------------------------------
def auc(labels, scores):
    """Mann-Whitney AUC from ranks, tied scores sharing their average rank."""
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    edges = np.flatnonzero(np.r_[True, s[1:] != s[:-1], True])
    counts = np.diff(edges)
    ranks = np.empty(len(s))
    ranks[order] = np.repeat(edges[:-1] + (counts + 1) / 2.0, counts)
    pos = labels > 0.5
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def logloss(labels, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


@torch.no_grad()
def predict(model, data, genre_table):
    model.eval()
    logits = [model(make_batch(data, idx, genre_table)) for idx in batches(len(data["label"]), 2048)]
    return torch.sigmoid(torch.cat(logits)).double().numpy()


def train_torch(make_model, lr, sets, genre_table, args, seed, name):
    torch.manual_seed(seed)
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=args.weight_decay)
    train, valid, test = sets
    best, seconds = None, []
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, total, n = time.time(), 0.0, 0
        for idx in batches(len(train["label"]), args.batch_size, rng):
            b = make_batch(train, idx, genre_table)
            loss = F.binary_cross_entropy_with_logits(model(b), b["label"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, n = total + loss.item() * len(idx), n + len(idx)
        seconds.append(time.time() - start)
        p = predict(model, valid, genre_table)
        valid_auc = auc(valid["label"], p)
        print(f"  {name} seed {seed} epoch {epoch}: train loss {total / n:.4f}  valid AUC {valid_auc:.4f}  "
              f"logloss {logloss(valid['label'], p):.4f}  {seconds[-1]:.1f} s", flush=True)
        if best is None or valid_auc > best[1]:
            best = (epoch, valid_auc, copy.deepcopy(model.state_dict()))
    model.load_state_dict(best[2])
    p = predict(model, test, genre_table)
    return {"epoch": best[0], "valid_auc": best[1], "test_auc": auc(test["label"], p),
            "test_logloss": logloss(test["label"], p), "seconds_per_epoch": float(np.mean(seconds))}


def run_recgrad(args, seed, kind, runs):
    out = os.path.join(runs, f"{kind}_seed{seed}")
    path = lambda name: os.path.abspath(os.path.join(args.data, name))
    cmd = [args.recgrad, "train", args.config, "--set", f"data.train={path('train.tsv')}",
           "--set", f"data.test={path('test.tsv')}", "--set", f"training.seed={seed}",
           "--set", f"model.attention.kind={kind}", "--set", f"data.validation_fraction={args.validation_fraction}",
           "--out", out, "--quiet"]
    start = time.time()
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    return {"epoch": s.get("best_step"), "valid_auc": s.get("valid_auc"), "test_auc": s.get("test_auc"),
            "test_logloss": s.get("test_logloss"), "test_gauc": s.get("test_gauc"), "seconds": time.time() - start}


def mean_std(values):
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    return f"{np.mean(v):.4f} ± {np.std(v, ddof=1) if len(v) > 1 else 0.0:.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="folder with train.tsv and test.tsv")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--embedding-dim", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--bias-lr", type=float, default=1e-2, help="the bias model's lr (1e-3 underfits in 10 epochs)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--max-len", type=int, default=50)
    ap.add_argument("--din-hidden", type=int, nargs="+", default=[80, 40])
    ap.add_argument("--din-activation", choices=["prelu", "dice"], default="prelu")
    ap.add_argument("--tower-hidden", type=int, nargs="+", default=[200, 80])
    ap.add_argument("--softmax", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--position", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--user-embedding", action=argparse.BooleanOptionalAction, default=True,
                    help="a user vector in the tower's input (recgrad's model.user_embedding; off by default there)")
    ap.add_argument("--init-std", type=float, default=0.01, help="embedding init N(0, std^2); 1 = PyTorch's default")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--feedback", action=argparse.BooleanOptionalAction, default=True,
                    help="din: use item_feedback / hist_feedback when the files have them (--no-feedback ignores them)")
    ap.add_argument("--validation-fraction", type=float, default=0.1)
    ap.add_argument("--prior", type=float, default=5.0, help="baseline: pseudo-impressions at the global rate")
    ap.add_argument("--models", nargs="+", choices=["baseline", "bias", "din"], default=["baseline", "bias", "din"])
    ap.add_argument("--recgrad", help="path to the recgrad binary")
    ap.add_argument("--config", help="recgrad config for --recgrad (default: DATA_DIR/recgrad.json)")
    ap.add_argument("--kinds", nargs="+", default=["din", "multi_head", "mean"])
    ap.add_argument("--runs", help="folder for recgrad's run directories (default: a new temporary one)")
    ap.add_argument("--json", help="write all results here")
    args = ap.parse_args()
    if args.recgrad and not args.config:  # the importer writes a config next to the data
        args.config = os.path.join(args.data, "recgrad.json")
        if not os.path.exists(args.config):
            ap.error(f"--recgrad needs --config (there is no {args.config})")
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    print(f"torch {torch.__version__}, numpy {np.__version__}, load average {os.getloadavg()}", flush=True)

    start = time.time()
    train_path, test_path = os.path.join(args.data, "train.tsv"), os.path.join(args.data, "test.tsv")
    present = [c for c in FEEDBACK_COLUMNS if c in read_header(train_path)]
    if present and len(present) < len(FEEDBACK_COLUMNS) and args.feedback:
        ap.error(f"{train_path} has {present[0]} but not the other of {', '.join(FEEDBACK_COLUMNS)}")
    feedback = args.feedback and len(present) == len(FEEDBACK_COLUMNS)
    columns = COLUMNS + (FEEDBACK_COLUMNS if feedback else [])
    train_rows, valid_rows = split_validation(read_tsv(train_path, columns), args.validation_fraction)
    test_rows = read_tsv(test_path, columns)
    vocabs = build_vocabularies(train_rows, args.min_count, feedback)
    genre_sets = GenreSets(vocabs["genres"])
    sets = [encode(rows, vocabs, genre_sets, args.max_len) for rows in (train_rows, valid_rows, test_rows)]
    genre_table = genre_sets.table()
    sizes = {k: len(v) + 2 for k, v in vocabs.items()}
    print(f"rows: train {len(train_rows)}, valid {len(valid_rows)}, test {len(test_rows)}; vocabularies {sizes}; "
          f"{len(genre_sets.rows)} genre sets; feedback field "
          f"{'used' if feedback else 'ignored (--no-feedback)' if present else 'absent'}; "
          f"loaded in {time.time() - start:.1f} s", flush=True)

    results = defaultdict(list)
    if "baseline" in args.models:  # deterministic: one run stands for every seed
        (sv, _), (st, pt) = (counting_baseline(train_rows, rows, args.prior) for rows in (valid_rows, test_rows))
        r = {"epoch": None, "valid_auc": auc(sets[1]["label"], sv), "test_auc": auc(sets[2]["label"], st),
             "test_logloss": logloss(sets[2]["label"], pt)}
        results["baseline"] = [{"seed": seed, **r} for seed in args.seeds]
    factories = {"bias": (lambda: BiasModel(sizes, args), args.bias_lr),
                 "din": (lambda: DinModel(sizes, args), args.lr)}
    for name in (m for m in args.models if m in factories):
        for seed in args.seeds:
            results[name].append({"seed": seed, **train_torch(*factories[name], sets, genre_table, args, seed, name)})
    if args.recgrad:
        runs = args.runs or tempfile.mkdtemp(prefix="recgrad_runs_")
        print(f"recgrad runs in {runs}", flush=True)
        for kind in args.kinds:
            for seed in args.seeds:
                results[f"recgrad:{kind}"].append({"seed": seed, **run_recgrad(args, seed, kind, runs)})

    time_of = lambda r: (f"{r['seconds_per_epoch']:.1f} s/epoch" if "seconds_per_epoch" in r
                         else f"{r['seconds']:.0f} s in all" if "seconds" in r else "-")
    fmt = lambda x: "-" if x is None else (f"{x:.4f}" if isinstance(x, float) else str(x))
    print("\n| model | seed | best epoch (recgrad: step) | valid AUC | test AUC | test logloss | time |\n"
          "|---|---|---|---|---|---|---|")
    for name, runs_ in results.items():
        for r in runs_:
            print(f"| {name} | {r['seed']} | {fmt(r['epoch'])} | {fmt(r['valid_auc'])} | {fmt(r['test_auc'])} | "
                  f"{fmt(r['test_logloss'])} | {time_of(r)} |")
    print(f"\nmean ± std over seeds {args.seeds}:\n\n| model | valid AUC | test AUC | test logloss |\n"
          "|---|---|---|---|")
    for name, runs_ in results.items():
        cells = (mean_std([r[k] for r in runs_]) for k in ("valid_auc", "test_auc", "test_logloss"))
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\nload average {os.getloadavg()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "args": vars(args), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
