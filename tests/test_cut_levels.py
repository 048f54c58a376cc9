"""The zones' cut (``sppr_gis.engine.cut``): several thresholds in one halving give each threshold the pieces a
halving at that threshold alone gives, in the same order; the moved-edge search finds the vertices a pandas
merge finds (issue 18, 7 December 2026)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from sppr_gis.engine import cut as cutmod
from sppr_gis.engine import polygonal_parts
from sppr_gis.overlay import robust_overlay


def _halving(parts: np.ndarray, owner: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The halving as ``split_large`` did it before thresholds were combined (6 December 2026), kept here
    as the independent reference: one threshold, round by round."""
    done_g, done_o, done_s = [], [], []
    g, o, src = parts, owner, np.arange(len(parts))
    for _ in range(32):
        big = shapely.get_num_coordinates(g) > max_vertices
        done_g.append(g[~big])
        done_o.append(o[~big])
        done_s.append(src[~big])
        if not big.any():
            break
        g, o, src = g[big], o[big], src[big]
        b = shapely.bounds(g)
        wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
        mx, my = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
        pad = 1.0 + 1e-6 * np.maximum(np.abs(b[:, 2:]).max(axis=1), 1.0)
        x0, y0, x1, y1 = b[:, 0] - pad, b[:, 1] - pad, b[:, 2] + pad, b[:, 3] + pad
        box_a = shapely.box(x0, y0, np.where(wide, mx, x1), np.where(wide, y1, my))
        box_b = shapely.box(np.where(wide, mx, x0), np.where(wide, y0, my), x1, y1)
        halves = np.concatenate([robust_overlay(shapely.intersection, g, box_a)[0], robust_overlay(shapely.intersection, g, box_b)[0]])
        g, k = polygonal_parts(halves)
        o, src = np.concatenate([o, o])[k], np.concatenate([src, src])[k]
    pieces, piece_owner, piece_src = np.concatenate(done_g), np.concatenate(done_o), np.concatenate(done_s)
    piece_src[: len(done_g[0])] = -1
    return pieces, piece_owner, piece_src


def _zones() -> np.ndarray:
    """Zones of very different sizes: a jagged 2,000-vertex ring with a hole, a 900-vertex circle cut in
    two by a street (a MultiPolygon), a comb (one halving gives several parts) and a small square."""
    rng = np.random.default_rng(7)
    t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    r = 500 + rng.uniform(-40, 40, len(t))
    jag = Polygon(np.c_[700_000 + r * np.cos(t), 9_200_000 + r * np.sin(t)], [Point(700_000, 9_200_000).buffer(100, quad_segs=40).exterior.coords])
    circle = Point(702_000, 9_200_000).buffer(300, quad_segs=225)
    street = shapely.box(701_990, 9_199_000, 702_010, 9_201_000)
    split = circle.difference(street)
    teeth = [(701_000 + 10 * i, 9_201_000 + (200 if i % 2 else 0)) for i in range(120)]
    comb = Polygon([(701_000, 9_200_900), *teeth, (702_190, 9_200_900)])
    small = shapely.box(703_000, 9_200_000, 703_010, 9_200_010)
    return np.array([jag, split, comb, small], dtype=object)


@pytest.mark.parametrize("levels", [[64], [256, 64], [1024, 256, 64, 16], [64, 2048]])
def test_each_threshold_gets_the_pieces_of_its_own_halving_in_order(levels: list[int]) -> None:
    parts, owner = polygonal_parts(_zones())
    got = cutmod.split_levels(parts, owner, levels)
    assert sorted(got) == sorted(levels)
    for t in levels:
        ref = _halving(parts, owner, t)
        pieces, piece_owner, source = got[t]
        assert list(shapely.to_wkb(pieces)) == list(shapely.to_wkb(ref[0])), f"threshold {t}: other pieces or another order"
        assert piece_owner.tolist() == ref[1].tolist() and source.tolist() == ref[2].tolist()
        assert shapely.get_num_coordinates(pieces).max() <= max(t, 5)
        # exact cover: each polygon's pieces add up to its area
        area = pd.Series(shapely.area(pieces)).groupby(source.clip(min=-1)).sum()
        cut_src = area.index.to_numpy()
        cut_src = cut_src[cut_src >= 0]
        assert area[cut_src].to_numpy() == pytest.approx(shapely.area(parts[cut_src]), rel=1e-9)
    if len(levels) > 1:
        assert len(got[min(levels)][0]) > len(got[max(levels)][0]), "the thresholds did not cut differently"


def test_cut_zones_finer_pieces_are_the_finer_halving() -> None:
    zones = _zones()
    cut = cutmod.cut_zones(zones, 256, finer=64)
    alone = cutmod.cut_zones(zones, 256)
    assert list(shapely.to_wkb(cut.pieces)) == list(shapely.to_wkb(alone.pieces)) and list(shapely.to_wkb(cut.moved)) == list(shapely.to_wkb(alone.moved))
    assert cut.source.tolist() == alone.source.tolist() and cut.owner.tolist() == alone.owner.tolist()
    assert alone.finer is None and cut.finer.vertices == 64
    parts, owner = polygonal_parts(zones)
    ref = _halving(parts, owner, 64)
    vertices, pieces, piece_owner = cut.finer()
    assert vertices == 64 and list(shapely.to_wkb(pieces)) == list(shapely.to_wkb(ref[0])) and piece_owner.tolist() == ref[1].tolist()


def test_halving_resumed_from_coarser_pieces_gives_each_threshold_in_order() -> None:
    """split_keyed at 1024, then its pieces halved further to 256, 64 and 16: each time the pieces the
    old halving gives at that threshold from the zones' parts, in its order (multi-part halves included:
    the comb's teeth and the street's two sides)."""
    parts, owner = polygonal_parts(_zones())
    got = cutmod.split_keyed(parts, owner, 1024)
    for t in (1024, 256, 64, 16):
        if t != 1024:
            got = cutmod.split_keyed(got[0], got[1], t, got[2], got[3])
        ref = _halving(parts, owner, t)
        assert list(shapely.to_wkb(got[0])) == list(shapely.to_wkb(ref[0])), f"threshold {t}: other pieces or another order"
        assert got[1].tolist() == ref[1].tolist()
        assert [cutmod._root(k) if d else -1 for k, d in zip(got[3], got[2])] == ref[2].tolist()
    assert len(got[0]) > 4 * len(parts)


def _merge_found(owner: np.ndarray, xy: np.ndarray, o_owner: np.ndarray, o_xy: np.ndarray) -> np.ndarray:
    """The search as it was: a pandas merge on (owner, x, y)."""
    original = pd.DataFrame({"src": o_owner, "x": o_xy[:, 0], "y": o_xy[:, 1]}).drop_duplicates()
    here = pd.DataFrame({"src": owner, "x": xy[:, 0], "y": xy[:, 1]})
    return here.merge(original, how="left", on=["src", "x", "y"], indicator=True)["_merge"].to_numpy() == "both"


@pytest.mark.parametrize("weak_hash", [False, True])
def test_found_is_the_merge(weak_hash: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Vertices looked up among others: duplicates, -0.0 against 0.0, equal coordinates of another owner, and
    (with a hash that collides all the time) different vertices sharing a hash."""
    rng = np.random.default_rng(3)
    o_xy = np.round(rng.uniform(-3, 3, (4000, 2)), 1)
    o_xy[:50] = 0.0
    o_owner = rng.integers(0, 5, len(o_xy))
    o_xy = np.concatenate([o_xy, o_xy[:300]])  # duplicates (a ring's first and last vertex)
    o_owner = np.concatenate([o_owner, o_owner[:300]])
    pick = rng.integers(0, len(o_xy), 3000)
    xy = np.concatenate([o_xy[pick], np.round(rng.uniform(-3, 3, (3000, 2)), 1)])
    owner = np.concatenate([o_owner[pick], rng.integers(0, 6, 3000)])
    xy[:20] = -0.0
    if weak_hash:
        monkeypatch.setattr(cutmod, "_vertex_hash", lambda own, v: (np.asarray(own, dtype=np.int64) % 2).astype(np.uint64))
    want = _merge_found(owner, xy, o_owner, o_xy)
    assert 0 < want.sum() < len(want)
    assert cutmod._found(owner, xy, o_owner, o_xy).tolist() == want.tolist()
    assert not cutmod._found(owner[:0], xy[:0], o_owner, o_xy).size and not cutmod._found(owner, xy, o_owner[:0], o_xy[:0]).any()
