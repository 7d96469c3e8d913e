"""The PyTorch twin of recgrad's ClickModel for the side-by-side benchmark (bench/compare_pytorch.py).

Builds, from an entry of bench/models.json, the model recgrad builds from the same config, layer for
layer (models/click_model.h):

    target  = concat of the field embeddings of the target item            [B, D]
    history = concat of the field embeddings of the history + positions    [B, T, D]
    pooled  = attention(query = target, keys = values = history, mask)     [B, D]
    logit   = tower([target, pooled, target * pooled])                     [B]

with multi-head attention (separate q/k/v/out projections, masked softmax, as
layers/multi_head_attention.cpp) or the DIN unit (MLP over [q, k, q - k, q * k] of the real history
positions only, Dice or PReLU activations, no softmax, as layers/din_attention.cpp); PReLU towers; binary
cross-entropy on the logit. Optimizer as recgrad's Adam with lazy embedding rows: torch.optim.Adam on
dense parameters, torch.optim.SparseAdam on the (sparse) embedding tables. Batches come from the
formula of bench/synthetic_batches.h.

With --plain it builds the same model as a PyTorch user writes it instead of layer for layer: dense
nn.Embedding tables and one torch.optim.Adam over every parameter, torch.nn.MultiheadAttention with a
key_padding_mask, and the DIN unit run over all T positions (padding included) and then masked, as the
DIN authors' code does. Both are fair comparisons; they answer different questions (the twin: the same
work in each engine; plain: what a user moving from PyTorch would see).

    /usr/bin/python3 bench/torch_click_model.py bench/models.json default --steps 50 --threads 1 [--plain]
prints one JSON line: samples/s, ms per step, peak resident memory.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def draw(k, stream, n):
    i = np.arange(n, dtype=np.uint64)
    return splitmix64((np.uint64(k) << np.uint64(40)) ^ (np.uint64(stream) << np.uint64(32)) ^ i)


def synthetic_batch(k, B, T, items, side):
    """The batch bench/synthetic_batches.h draws for index k."""
    def ids(stream, n, vocabulary):
        return torch.from_numpy((1 + draw(k, stream, n) % np.uint64(vocabulary - 1)).astype(np.int64))

    lengths = torch.from_numpy((1 + draw(k, 30, B) % np.uint64(T)).astype(np.int64))
    padded = torch.arange(T).unsqueeze(0) >= lengths.unsqueeze(1)  # [B, T], True = padding
    fields = [(ids(0, B, items), ids(1, B * T, items).view(B, T))]
    for f, size in enumerate(side):
        fields.append((ids(2 + 2 * f, B, size), ids(3 + 2 * f, B * T, size).view(B, T)))
    fields = [(target, history.masked_fill(padded, 0)) for target, history in fields]
    labels = torch.from_numpy((draw(k, 31, B) % np.uint64(2)).astype(np.float32))
    return fields, padded, labels


class Dice(nn.Module):
    """recgrad's Dice (layers/activations.h): p = sigmoid((x - E x) / sqrt(Var x + eps)), y = x (p + (1 - p) alpha);
    batch statistics in training (running ones updated, unbiased var), running statistics in eval."""

    def __init__(self, dim, eps=1e-8, momentum=0.1):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(dim))
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("running_var", torch.ones(dim))
        self.eps, self.momentum = eps, momentum

    def forward(self, x):
        if self.training:
            mean, var = x.mean(0), x.var(0, unbiased=False)
            n = x.shape[0]
            with torch.no_grad():  # (a single row has no variance to keep)
                if n > 1:
                    self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                    self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        p = torch.sigmoid((x - mean) / torch.sqrt(var + self.eps))
        return x * (p + (1 - p) * self.alpha)


def mlp(sizes, activation):
    """Linear layers with one activation (per-feature PReLU or Dice) between them, none after the last."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.PReLU(sizes[i + 1]) if activation == "prelu" else Dice(sizes[i + 1]))
    return nn.Sequential(*layers)


class MultiHeadPooling(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(dim, dim) for _ in range(4))
        self.heads = heads

    def forward(self, query, history, padded):  # [B, 1, D], [B, T, D], [B, T]
        B, T, D = history.shape
        h, hd = self.heads, D // self.heads
        q = self.q(query).view(B, 1, h, hd).transpose(1, 2)    # [B, h, 1, hd]
        k = self.k(history).view(B, T, h, hd).transpose(1, 2)  # [B, h, T, hd]
        v = self.v(history).view(B, T, h, hd).transpose(1, 2)
        scores = (q @ k.transpose(2, 3)) / math.sqrt(hd)       # [B, h, 1, T]
        weights = torch.softmax(scores.masked_fill(padded.view(B, 1, 1, T), float("-inf")), -1)
        return self.out((weights @ v).transpose(1, 2).reshape(B, 1, D))


class DinPooling(nn.Module):
    def __init__(self, dim, hidden, activation):
        super().__init__()
        self.mlp = mlp([4 * dim] + hidden + [1], activation)

    def forward(self, query, history, padded):  # [B, 1, D], [B, T, D], [B, T]
        B, T, D = history.shape
        real = (~padded).view(-1).nonzero().squeeze(1)           # the (b, t) pairs with a real key
        q = query.expand(B, T, D).reshape(B * T, D)[real]
        k = history.reshape(B * T, D)[real]
        scored = self.mlp(torch.cat([q, k, q - k, q * k], -1)).squeeze(1)
        scores = torch.zeros(B * T, dtype=scored.dtype).index_put((real,), scored)
        return scores.view(B, 1, T) @ history                   # no softmax: DIN's raw weights


class ClickModel(nn.Module):
    def __init__(self, spec):
        super().__init__()
        m = spec["model"]
        e = m["embedding_dim"]
        sizes = [spec["items"]] + spec["side"]
        self.tables = nn.ModuleList(nn.Embedding(n, e, padding_idx=0, sparse=True) for n in sizes)
        D = e * len(sizes)
        self.positions = nn.Parameter(torch.randn(spec["T"], D))
        a = m["attention"]
        self.pooling = (MultiHeadPooling(D, a["heads"]) if a["kind"] == "multi_head"
                        else DinPooling(D, a["din_hidden"], a.get("din_activation", "dice")))
        self.tower = mlp([3 * D] + m["tower"]["hidden"] + [1], m["tower"]["activation"])

    def forward(self, fields, padded):
        target = torch.cat([table(t) for table, (t, _) in zip(self.tables, fields)], -1)   # [B, D]
        history = torch.cat([table(h) for table, (_, h) in zip(self.tables, fields)], -1)  # [B, T, D]
        history = history + self.positions
        pooled = self.pooling(target.unsqueeze(1), history, padded).squeeze(1)
        return self.tower(torch.cat([target, pooled, target * pooled], -1)).squeeze(1)


class PlainDinPooling(nn.Module):
    """DIN's unit as usually written: every (candidate, position) pair, padding too, then masked."""

    def __init__(self, dim, hidden, activation):
        super().__init__()
        self.mlp = mlp([4 * dim] + hidden + [1], activation)

    def forward(self, query, history, padded):  # [B, 1, D], [B, T, D], [B, T]
        B, T, D = history.shape
        q = query.expand(B, T, D)
        x = torch.cat([q, history, q - history, q * history], -1).view(B * T, 4 * D)
        scores = self.mlp(x).view(B, 1, T).masked_fill(padded.view(B, 1, T), 0.0)
        return scores @ history


class PlainClickModel(nn.Module):
    """The same model in the PyTorch a user writes: dense tables, nn.MultiheadAttention."""

    def __init__(self, spec):
        super().__init__()
        m = spec["model"]
        e = m["embedding_dim"]
        self.tables = nn.ModuleList(nn.Embedding(n, e, padding_idx=0) for n in [spec["items"]] + spec["side"])
        D = e * len(self.tables)
        self.positions = nn.Embedding(spec["T"], D)
        a = m["attention"]
        self.kind = a["kind"]
        self.pooling = (nn.MultiheadAttention(D, a["heads"], batch_first=True) if self.kind == "multi_head"
                        else PlainDinPooling(D, a["din_hidden"], a.get("din_activation", "dice")))
        self.tower = mlp([3 * D] + m["tower"]["hidden"] + [1], m["tower"]["activation"])

    def forward(self, fields, padded):
        target = torch.cat([table(t) for table, (t, _) in zip(self.tables, fields)], -1)   # [B, D]
        history = torch.cat([table(h) for table, (_, h) in zip(self.tables, fields)], -1)  # [B, T, D]
        history = history + self.positions.weight
        query = target.unsqueeze(1)
        if self.kind == "multi_head":
            pooled, _ = self.pooling(query, history, history, key_padding_mask=padded, need_weights=False)
        else:
            pooled = self.pooling(query, history, padded)
        pooled = pooled.squeeze(1)
        return self.tower(torch.cat([target, pooled, target * pooled], -1)).squeeze(1)


def peak_rss_mb():
    """VmHWM of this process (ru_maxrss would keep the peak of the parent before exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models")
    parser.add_argument("model")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="the model as a PyTorch user writes it")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    with open(args.models) as f:
        spec = json.load(f)[args.model]
    B, T = spec["batch"], spec["T"]

    lr = spec["optim"]["lr"]
    if args.plain:
        model = PlainClickModel(spec)
        optimizers = [torch.optim.Adam(model.parameters(), lr=lr)]
    else:
        model = ClickModel(spec)
        sparse = list(model.tables.parameters())
        sparse_ids = {id(p) for p in sparse}
        optimizers = [torch.optim.Adam([p for p in model.parameters() if id(p) not in sparse_ids], lr=lr),
                      torch.optim.SparseAdam(sparse, lr=lr)]
    batches = [synthetic_batch(k, B, T, spec["items"], spec["side"]) for k in range(8)]
    loss_fn = nn.BCEWithLogitsLoss()

    def step(i):
        fields, padded, labels = batches[i % len(batches)]
        for o in optimizers:
            o.zero_grad(set_to_none=True)
        loss = loss_fn(model(fields, padded), labels)
        loss.backward()
        for o in optimizers:
            o.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    start = time.perf_counter()
    for i in range(args.steps):
        loss = step(args.warmup + i)
    seconds = time.perf_counter() - start
    print(json.dumps({"framework": "pytorch plain" if args.plain else "pytorch twin", "torch_version": torch.__version__, "model": args.model,
                      "threads": args.threads, "steps": args.steps,
                      "samples_per_s": args.steps * B / seconds, "ms_per_step": 1e3 * seconds / args.steps,
                      "peak_rss_mb": peak_rss_mb(),
                      "last_loss": loss}))


if __name__ == "__main__":
    main()
