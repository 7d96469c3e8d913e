"""Golden values for tests/layers/test_{linear,embedding,layer_norm,activations}.cpp.

Run once with the system python that has torch (/usr/bin/python3 tests/golden/layers.py); it writes
tests/fixtures/layers.json. Everything is float64. Parameters are drawn at random (not torch's init:
ones and zeros would hide mistakes) and stored under recgrad's names, so the tests load the same
weights. Each case's loss is sum(output * grad_output) with a random grad_output.

Cases:
  linear.*      Linear(4, 5), x [2, 3, 4]: output, grads of x, weight, bias.
  embedding.*   Embedding(6, 3, padding_idx=0), indices [2, 3] with repeats and padding: output,
                weight grad (row 0 stays zero).
  layer_norm.*  LayerNorm(5), x [2, 3, 5], random affine: output, grads of x, weight, bias.
  prelu.*       PReLU() (one slope, 0.25) on x [4, 3]: output, grads of x, weight.
  prelu_per_feature.*  PReLU(3) with random slopes on x [4, 3] (torch's channel axis 1 is the last).
  dice.*        Dice in training mode on x [6, 3] with random alpha, built from
                BatchNorm1d(3, eps=1e-8, affine=False, momentum=0.1): output, grads of x, alpha,
                running_mean / running_var after the step, then the eval-mode output on x_eval [2, 3].
"""
import json
import os

import torch

torch.manual_seed(20240608)
torch.set_default_dtype(torch.float64)

cases = {}


def put(name, tensor):
    t = torch.as_tensor(tensor).detach().to(torch.float64).contiguous()
    cases[name] = {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)


def backward_with_random_grad(name, output):
    grad_output = torch.randn_like(output)
    (output * grad_output).sum().backward()
    put(f"{name}.grad_output", grad_output)
    put(f"{name}.output", output)


def put_parameters(name, module):
    for pname, p in module.named_parameters():
        put(f"{name}.{pname}", p)
        put(f"{name}.{pname}.grad", p.grad)


def linear_case():
    layer = torch.nn.Linear(4, 5)
    randomize(layer)
    x = torch.randn(2, 3, 4, requires_grad=True)
    backward_with_random_grad("linear", layer(x))
    put("linear.x", x)
    put("linear.x.grad", x.grad)
    put_parameters("linear", layer)


def embedding_case():
    layer = torch.nn.Embedding(6, 3, padding_idx=0)
    indices = torch.tensor([[2, 0, 2], [5, 2, 1]])
    backward_with_random_grad("embedding", layer(indices))
    put("embedding.indices", indices)
    put_parameters("embedding", layer)


def layer_norm_case():
    layer = torch.nn.LayerNorm(5)
    randomize(layer)
    x = torch.randn(2, 3, 5, requires_grad=True)
    backward_with_random_grad("layer_norm", layer(x))
    put("layer_norm.x", x)
    put("layer_norm.x.grad", x.grad)
    put_parameters("layer_norm", layer)


def prelu_case(name, layer):
    x = torch.randn(4, 3, requires_grad=True)
    backward_with_random_grad(name, layer(x))
    put(f"{name}.x", x)
    put(f"{name}.x.grad", x.grad)
    put_parameters(name, layer)


def dice_case():
    D = 3
    norm = torch.nn.BatchNorm1d(D, eps=1e-8, affine=False, momentum=0.1)
    alpha = (torch.randn(D) * 0.5).requires_grad_()

    def dice(x):
        p = torch.sigmoid(norm(x))
        return p * x + (1 - p) * alpha * x

    x = torch.randn(6, D, requires_grad=True)
    put("dice.alpha", alpha)
    backward_with_random_grad("dice", dice(x))
    put("dice.x", x)
    put("dice.x.grad", x.grad)
    put("dice.alpha.grad", alpha.grad)
    put("dice.running_mean", norm.running_mean)
    put("dice.running_var", norm.running_var)
    norm.eval()
    x_eval = torch.randn(2, D)
    put("dice.x_eval", x_eval)
    put("dice.eval_output", dice(x_eval))


linear_case()
embedding_case()
layer_norm_case()
prelu_case("prelu", torch.nn.PReLU())
per_feature = torch.nn.PReLU(3)
randomize(per_feature)
prelu_case("prelu_per_feature", per_feature)
dice_case()

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "layers.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "tests/golden/layers.py", "cases": cases}, f)
