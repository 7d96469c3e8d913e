"""Shared helpers: the PyTorch fixtures of tests/fixtures and the built programs (paths from ctest)."""
import json
import os

import numpy as np
import pytest


def env_path(name):
    path = os.environ.get(name)
    if not path:
        raise RuntimeError(f"{name} is not set: run these tests through ctest (tests/python/CMakeLists.txt)")
    return path


@pytest.fixture(scope="session")
def fixtures():
    """fixtures("attention")["mha.output"] -> a float64 array of the stored shape."""
    def load(name):
        with open(os.path.join(env_path("RECGRAD_FIXTURES"), name + ".json")) as f:
            cases = json.load(f)["cases"]
        return {k: np.array(v["values"], dtype=np.float64).reshape(v["shape"]) for k, v in cases.items()}
    return load


@pytest.fixture(scope="session")
def bin_dir():
    return env_path("RECGRAD_BIN")
