"""A run trained by the recgrad program, loaded in Python: its scores equal `recgrad predict`'s and
its explanation `recgrad explain`'s."""
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

import recgrad as rg

TINY = ["--set", "data.synthetic.impressions=400", "--set", "data.synthetic.num_users=30",
        "--set", "data.synthetic.num_items=50", "--set", "training.epochs=1", "--set", "training.batch_size=64",
        "--set", "model.embedding_dim=4", "--set", "model.tower.hidden=[8]"]
TSV = ("label\tuser_id\titem_id\titem_cate\titem_brand\thist_item_ids\thist_cate_ids\thist_brand_ids\n"
       "1\tu1\ti3\tc3\tb3\ti3,i11,i7\tc3,c3,c7\tb3,b11,b7\n"
       "0\tu2\ti4\tc4\tb4\t\t\t\n")


@pytest.fixture(scope="module")
def trained(bin_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("run")
    recgrad = os.path.join(bin_dir, "recgrad")
    configs = os.environ["RECGRAD_CONFIGS"]
    subprocess.run([recgrad, "train", os.path.join(configs, "default.json"), *TINY, "--out", str(work / "run"),
                    "--quiet"], check=True, capture_output=True)
    (work / "two.tsv").write_text(TSV)
    return recgrad, str(work / "run"), str(work / "two.tsv")


def test_scores_equal_recgrad_predict(trained):
    recgrad, run_dir, data = trained
    printed = subprocess.run([recgrad, "predict", run_dir, data], check=True, capture_output=True, text=True).stdout
    expected = np.array([float(line.split("\t")[1]) for line in printed.splitlines()[1:]])
    run = rg.load_run(run_dir)
    scores = run.predict(data)
    assert scores.dtype == np.float64 and scores.shape == (2,)
    np.testing.assert_allclose(scores, expected, atol=5e-7)  # predict prints 6 decimals
    assert run.config["model"]["embedding_dim"] == 4
    assert run.model.parameter_count() > 0


def test_explain_equals_recgrad_explain(trained):
    recgrad, run_dir, data = trained
    printed = subprocess.run([recgrad, "explain", run_dir, data, "--line", "1"], check=True, capture_output=True,
                             text=True).stdout
    run = rg.load_run(run_dir)
    e = run.explain(1, data)
    assert f"p(click) = {e['probability']:.4f}" in printed
    assert e["target"]["item"] == "i3" and e["label"] == 1.0
    header = next(line.split() for line in printed.splitlines() if line.split()[:2] == ["rank", "position"])
    rows = [line.split() for line in printed.splitlines() if re.match(r"\s+\d+\s+\d+\s", line)]
    assert [(int(r[1]), r[2]) for r in rows] == [(h["position"], h["item"]) for h in e["history"]]
    column = header.index("weight")
    assert [float(r[column]) for r in rows] == pytest.approx([h["weight"] for h in e["history"]], abs=5e-5)
    heads = e["head_weights"].shape[0]
    assert heads == run.config["model"]["attention"]["heads"] and header[column + 1:] == [f"head{h}" for h in range(heads)]
    by_position = {h["position"]: h["weight"] for h in e["history"]}
    np.testing.assert_allclose(e["head_weights"].mean(0), [by_position[t] for t in range(3)])
    assert run.explain(2, data)["history"] == []


def test_a_bad_run_directory_is_a_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=str(tmp_path)):
        rg.load_run(str(tmp_path))


def test_a_run_directory_may_be_a_path(trained):
    _, run_dir, data = trained
    np.testing.assert_array_equal(rg.load_run(pathlib.Path(run_dir)).predict(data), rg.load_run(run_dir).predict(data))


def test_attention_of_every_impression_equals_explain_by_position(trained):
    _, run_dir, _ = trained
    run = rg.load_run(run_dir)
    a = run.attention()
    w, lengths = a["weights"], a["lengths"]
    N, heads, T = w.shape
    assert N == run.evaluate()["impressions"] and heads == run.config["model"]["attention"]["heads"]
    assert lengths.shape == (N,) and T == max(lengths.max(), 1)
    assert a["target_item"].shape == (N,) and a["history_item"].shape == (N, T)
    first = run.explain(1)
    n = len(first["history"])
    assert lengths[0] == n and n > 0
    np.testing.assert_allclose(w[0, :, :n], first["head_weights"], atol=1e-6)
    padded = np.arange(T) >= lengths[:, None]  # [N, T]
    assert (w.transpose(0, 2, 1)[padded] == 0).all() and (a["history_item"][padded] == 0).all()
    np.testing.assert_allclose(w.sum(2)[lengths > 0], 1, atol=1e-5)  # each head's softmax over the real items


def test_attention_ids_line_up_with_the_data(trained):
    _, run_dir, data = trained
    a = rg.load_run(run_dir).attention(data)
    assert a["weights"].shape[::2] == (2, 3) and list(a["lengths"]) == [3, 0]
    assert sorted(a["target_side"]) == sorted(a["history_side"]) == ["item_brand", "item_cate"]
    # line 1: target i3 (c3, b3); history most recent first i7 (c7, b7), i11 (c3, b11), i3 (c3, b3)
    assert a["target_item"][0] == a["history_item"][0, 2]
    cate, brand = a["history_side"]["item_cate"][0], a["history_side"]["item_brand"][0]
    assert a["target_side"]["item_cate"][0] == cate[1] == cate[2] and a["target_side"]["item_brand"][0] == brand[2]
    assert (a["weights"][1] == 0).all() and (a["history_item"][1] == 0).all()
