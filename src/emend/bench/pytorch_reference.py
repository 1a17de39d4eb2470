"""PyTorch eager reference for `emend bench model --reference python3`.

The same decoder as emend.model.Transformer (RMSNorm, rotary positions in the rotate-half layout, grouped-query
attention, SwiGLU, optionally tied embeddings), random weights, and the same workloads as ModelBenchmark: prompts of
16 random tokens, 64 new tokens sampled at T = 1 with a KV cache, at batch 1, 32 and 128; training on 16 rows of 64
tokens (forward, backward, AdamW). Each figure is the median of three timed repetitions after a warm-up, as on the
Java side. Prints one JSON object: tokens per second per workload.

Reads the model shape and thread count from its arguments (ModelBenchmark writes them), so both sides measure the
same arithmetic on the same number of threads. PytorchReference.java sets OPENBLAS_NUM_THREADS=1 (why: there), so
OpenBLAS's own threads do not compete with PyTorch's; the figures name the value.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

PROMPT_TOKENS = 16
NEW_TOKENS = 64
TRAIN_BATCH = 16
TRAIN_LENGTH = 64
REPEATS = 3


class Decoder(torch.nn.Module):
    def __init__(self, vocab, width, layers, heads, kv_heads, ffn, context, theta, eps, tied):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim, self.eps = heads, kv_heads, width // heads, eps
        self.embed = torch.nn.Embedding(vocab, width)
        self.layers = torch.nn.ModuleList()
        for _ in range(layers):
            layer = torch.nn.ModuleDict({
                "q": torch.nn.Linear(width, heads * self.head_dim, bias=False),
                "k": torch.nn.Linear(width, kv_heads * self.head_dim, bias=False),
                "v": torch.nn.Linear(width, kv_heads * self.head_dim, bias=False),
                "o": torch.nn.Linear(heads * self.head_dim, width, bias=False),
                "gate": torch.nn.Linear(width, ffn, bias=False),
                "up": torch.nn.Linear(width, ffn, bias=False),
                "down": torch.nn.Linear(ffn, width, bias=False),
            })
            layer.attn_norm = torch.nn.Parameter(torch.ones(width))
            layer.ffn_norm = torch.nn.Parameter(torch.ones(width))
            self.layers.append(layer)
        self.norm = torch.nn.Parameter(torch.ones(width))
        self.head = None if tied else torch.nn.Linear(width, vocab, bias=False)
        inv = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        angles = torch.outer(torch.arange(context, dtype=torch.float32), inv)
        angles = torch.cat([angles, angles], dim=-1)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def rms(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def rotate(self, x, positions):
        cos, sin = self.cos[positions], self.sin[positions]
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin

    def forward(self, tokens, start=0, cache=None):
        b, t = tokens.shape
        positions = torch.arange(start, start + t)
        x = self.embed(tokens)
        for i, layer in enumerate(self.layers):
            h = self.rms(x, layer.attn_norm)
            q = layer["q"](h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
            k = layer["k"](h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
            v = layer["v"](h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = self.rotate(q, positions), self.rotate(k, positions)
            if cache is not None:
                if i < len(cache):
                    k = torch.cat([cache[i][0], k], dim=2)
                    v = torch.cat([cache[i][1], v], dim=2)
                    cache[i] = (k, v)
                else:
                    cache.append((k, v))
            groups = self.heads // self.kv_heads
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
            scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
            if t > 1:
                keys = k.shape[2]
                mask = torch.ones(t, keys, dtype=torch.bool).tril(keys - t)
                scores = scores.masked_fill(~mask, float("-inf"))
            attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
            x = x + layer["o"](attended)
            h = self.rms(x, layer.ffn_norm)
            x = x + layer["down"](F.silu(layer["gate"](h)) * layer["up"](h))
        x = self.rms(x, self.norm)
        return x @ self.embed.weight.T if self.head is None else self.head(x)


@torch.no_grad()
def generation(model, vocab, batch):
    generator = torch.Generator().manual_seed(batch)
    prompts = torch.randint(5, vocab, (batch, PROMPT_TOKENS), generator=generator)

    def once():
        cache = []
        logits = model(prompts, 0, cache)[:, -1]
        for step in range(NEW_TOKENS):
            token = torch.multinomial(logits.softmax(-1), 1, generator=generator)
            if step + 1 < NEW_TOKENS:
                logits = model(token, PROMPT_TOKENS + step, cache)[:, -1]

    once()
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        once()
        rates.append(batch * NEW_TOKENS / (time.perf_counter() - start))
    return statistics.median(rates)


def training(model, vocab):
    generator = torch.Generator().manual_seed(3)
    rows = torch.randint(5, vocab, (TRAIN_BATCH, TRAIN_LENGTH + 1), generator=generator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step():
        logits = model(rows[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocab), rows[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    step()
    steps = 5
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(steps * TRAIN_BATCH * TRAIN_LENGTH / (time.perf_counter() - start))
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("vocab", "width", "layers", "heads", "kv-heads", "ffn", "context", "threads"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--theta", type=float, required=True)
    p.add_argument("--eps", type=float, required=True)
    p.add_argument("--tied", choices=("true", "false"), required=True)
    a = p.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(a.threads)
    model = Decoder(a.vocab, a.width, a.layers, a.heads, a.kv_heads, a.ffn, a.context, a.theta, a.eps, a.tied == "true")
    model.eval()
    figures = {"torch_version": torch.__version__, "threads": torch.get_num_threads(),
               "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "OpenBLAS's default"),
               "parameters": sum(p.numel() for p in model.parameters())}
    for batch in (1, 32, 128):
        figures["gen_tokens_per_s_batch%d" % batch] = round(generation(model, a.vocab, batch), 2)
    model.train()
    figures["train_tokens_per_s"] = round(training(model, a.vocab), 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
