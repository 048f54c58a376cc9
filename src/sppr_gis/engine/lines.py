"""Line programs measured segment by segment against zone pieces (:class:`LineMeter`).

Part of :mod:`sppr_gis.engine` (moved from ``engine.py`` unchanged); import the names from there.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely

#: Boundary segments of the zone pieces are grouped in runs of this many for the
#: spatial index that finds the segments a program segment may cross.
BOUNDARY_RUN = 32

#: Each run's boundary segments are also boxed in blocks of this many: a run a program
#: segment meets is expanded only into the blocks that come near it (within the tolerance).
BOUNDARY_BLOCK = 8

#: Program segments are looked up in the indexes in chains of at most this many consecutive
#: segments (one box each), the chain's candidates then sorted out segment by segment.
PROGRAM_CHAIN = 8

#: Candidate (program segment, boundary segment) pairs handled at once: bounds the
#: engine's largest temporary arrays (about 200 bytes a candidate).
EXPAND_BUDGET = 150_000

#: Zone pieces with more vertices are prepared (per thread) for point-in-polygon tests.
PREPARE_VERTICES = 256

#: Two segments closer to collinear than this (metres) share a stretch: a program
#: digitized along a zone edge lies on the zone's boundary (zones are closed sets).
COLLINEAR_TOLERANCE = 1e-7


class PreparedPieces:
    """Zone pieces for exact point-in-polygon tests: this thread's prepared copies where large.

    Point-in-polygon on a large piece is much faster prepared. GEOS prepared
    geometries must not be shared between threads, so each thread prepares its
    own copy of the pieces with more than :data:`PREPARE_VERTICES` vertices (a few
    MB), on first use. A prepared test answers exactly as an unprepared one.

    Parameters
    ----------
    pieces : array of Polygon
    """

    def __init__(self, pieces: np.ndarray) -> None:
        self.pieces = pieces
        self.large = np.flatnonzero(shapely.get_num_coordinates(pieces) > PREPARE_VERTICES)
        self._local = threading.local()

    def targets(self, piece: np.ndarray) -> np.ndarray:
        """``pieces[piece]``, this thread's prepared copies where large."""
        if not len(self.large):
            return self.pieces[piece]
        prepared = getattr(self._local, "prepared", None)
        if prepared is None:
            prepared = self.pieces.copy()
            copies = shapely.from_wkb(shapely.to_wkb(self.pieces[self.large]))
            shapely.prepare(copies)
            prepared[self.large] = copies
            self._local.prepared = prepared
        return prepared[piece]


class LineMeter:
    """Where line segments lie in zone polygons, worked out segment by segment.

    For every program segment and every zone piece whose bounding box it meets,
    the segment is cut where it crosses the piece's boundary (computed in numpy
    against the boundary segments near it, found through an index of runs of
    :data:`BOUNDARY_RUN` boundary segments); each resulting stretch lies wholly
    inside or outside the piece, decided by one exact point-in-polygon test of
    its midpoint (GEOS, boundary included), and a stretch that runs along a
    boundary segment (within :data:`COLLINEAR_TOLERANCE`) is on the boundary,
    hence in the piece. No overlay is computed, so nothing can fail to node.

    Parameters
    ----------
    pieces : array of Polygon
        The (valid) zone pieces.
    code : array of int
        Code index of each piece.
    tree : shapely.STRtree, optional
        An index of ``pieces`` (built when not given).
    """

    def __init__(self, pieces: np.ndarray, code: np.ndarray, tree: shapely.STRtree | None = None, prepared: "PreparedPieces | None" = None) -> None:
        self.pieces = pieces
        self.code = np.asarray(code, dtype=np.int64)
        self.tree = tree if tree is not None else shapely.STRtree(pieces)
        # coordinates and ring offsets in one ragged array (no ring geometries are made); the
        # temporaries are dropped as soon as used: this build is the engine's peak of memory
        pieces = np.asarray(pieces, dtype=object)
        if len(pieces):
            _, xy, (ring_off, poly_off) = shapely.to_ragged_array(pieces)
        else:
            xy, ring_off, poly_off = np.zeros((0, 2)), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
        ring_len = np.diff(ring_off)
        # segment k runs from coordinate k to k + 1 of one ring: every coordinate but a ring's last
        last = np.zeros(len(xy), dtype=bool)
        last[ring_off[1:][ring_len > 0] - 1] = True
        k = np.flatnonzero(~last)
        del last
        self.x0, self.y0, self.x1, self.y1 = xy[k, 0], xy[k, 1], xy[k + 1, 0], xy[k + 1, 1]
        del xy
        seg_ring = np.repeat(np.arange(len(ring_len), dtype=np.int64), np.maximum(ring_len - 1, 0))
        ring_piece = np.repeat(np.arange(len(poly_off) - 1, dtype=np.int64), np.diff(poly_off))
        self.seg_piece = ring_piece[seg_ring].astype(np.int32)
        # runs of consecutive segments of one ring, each with its box, in one tree
        pos_in_ring = k - ring_off[seg_ring]
        del k
        new_run = np.r_[True, (seg_ring[1:] != seg_ring[:-1]) | (pos_in_ring[1:] % BOUNDARY_RUN == 0)]
        new_block = new_run | np.r_[True, pos_in_ring[1:] % BOUNDARY_BLOCK == 0]
        del seg_ring, pos_in_ring
        self.run_start = np.flatnonzero(new_run)
        del new_run
        self.run_count = np.diff(np.r_[self.run_start, len(self.x0)])
        # blocks: runs cut every BOUNDARY_BLOCK segments of their ring (a run is whole blocks)
        block_start = np.flatnonzero(new_block)
        del new_block
        self.block_count = np.diff(np.r_[block_start, len(self.x0)]).astype(np.int16)  # at most BOUNDARY_BLOCK
        self.run_block = np.searchsorted(block_start, self.run_start)
        self.run_blocks = np.diff(np.r_[self.run_block, len(block_start)])
        self.block_start = block_start.astype(np.int32) if len(self.x0) < 2**31 else block_start
        if len(self.x0):
            s = block_start
            self.block_box = (
                np.minimum(np.minimum.reduceat(self.x0, s), np.minimum.reduceat(self.x1, s)),
                np.maximum(np.maximum.reduceat(self.x0, s), np.maximum.reduceat(self.x1, s)),
                np.minimum(np.minimum.reduceat(self.y0, s), np.minimum.reduceat(self.y1, s)),
                np.maximum(np.maximum.reduceat(self.y0, s), np.maximum.reduceat(self.y1, s)),
            )
        else:
            self.block_box = (np.zeros(0),) * 4
        # a run's box: the extremes of its consecutive segments' ends (one reduction per slice)
        if len(self.x0):
            s = self.run_start
            rx0 = np.minimum(np.minimum.reduceat(self.x0, s), np.minimum.reduceat(self.x1, s))
            ry0 = np.minimum(np.minimum.reduceat(self.y0, s), np.minimum.reduceat(self.y1, s))
            rx1 = np.maximum(np.maximum.reduceat(self.x0, s), np.maximum.reduceat(self.x1, s))
            ry1 = np.maximum(np.maximum.reduceat(self.y0, s), np.maximum.reduceat(self.y1, s))
        else:
            rx0 = ry0 = rx1 = ry1 = np.zeros(0)
        self.run_tree = shapely.STRtree(shapely.box(rx0, ry0, rx1, ry1))
        self.run_box = np.stack([rx0, ry0, rx1, ry1], 1)  # the run tree's boxes (xmin, ymin, xmax, ymax)
        self.piece_box = shapely.bounds(pieces) if len(pieces) else np.zeros((0, 4))  # the piece tree's
        self.prepared = prepared if prepared is not None else PreparedPieces(pieces)

    def _targets(self, piece: np.ndarray) -> np.ndarray:
        """The pieces to test points against: this thread's prepared copies where large."""
        return self.prepared.targets(piece)

    @staticmethod
    def _near(s: np.ndarray, b: np.ndarray, c0: np.ndarray, c1: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The candidates (program segment ``s``, boundary segment ``b``) whose extents along one
        axis meet: boundary coordinates ``c0``, ``c1``; program segments' extents ``lo``, ``hi``."""
        e0, e1 = c0[b], c1[b]
        near = np.maximum(e0, e1) >= lo[s]
        near &= np.minimum(e0, e1, out=e0) <= hi[s]
        return s[near], b[near]

    def _crossings(self, sr: np.ndarray, ri: np.ndarray, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, pair_key: np.ndarray, n_pieces: np.int64) -> tuple[np.ndarray, ...]:
        """Crossings and collinear stretches of program segments ``sr`` with the boundary runs ``ri``.

        Returns the pair (position in ``pair_key``) and fraction of each crossing, and
        the pair and fraction range of each collinear stretch."""
        tol = COLLINEAR_TOLERANCE
        xlo, xhi = np.minimum(ax, bx) - tol, np.maximum(ax, bx) + tol
        ylo, yhi = np.minimum(ay, by) - tol, np.maximum(ay, by) + tol
        # the runs' blocks whose boxes come near the program segment (a segment near it lies in one)
        cnt = self.run_blocks[ri]
        s = np.repeat(sr, cnt)
        k = np.arange(len(s), dtype=np.int64)
        k -= np.repeat(np.cumsum(cnt) - cnt - self.run_block[ri], cnt)
        bx0, bx1, by0, by1 = self.block_box
        near = (bx1[k] >= xlo[s]) & (bx0[k] <= xhi[s]) & (by1[k] >= ylo[s]) & (by0[k] <= yhi[s])
        s, k = s[near], k[near]
        # boundary segment b of each candidate: its block's first segment plus its place in the block
        cnt = self.block_count[k].astype(np.int64)
        s = np.repeat(s, cnt)
        b = np.arange(len(s), dtype=np.int64)
        b -= np.repeat(np.cumsum(cnt) - cnt - self.block_start[k], cnt)
        # near: the segments' boxes meet (within the tolerance); tested in x, then in y on what is left
        # (the candidates are the engine's largest arrays: each test on as few as possible)
        s, b = self._near(s, b, self.x0, self.x1, xlo, xhi)
        s, b = self._near(s, b, self.y0, self.y1, ylo, yhi)
        pair = np.searchsorted(pair_key, s.astype(np.int64) * n_pieces + self.seg_piece[b])
        # segment A + t r against boundary segment Q0 + u q, in coordinates relative to A
        rx, ry = bx[s] - ax[s], by[s] - ay[s]
        qx0, qy0 = self.x0[b] - ax[s], self.y0[b] - ay[s]
        qx, qy = self.x1[b] - self.x0[b], self.y1[b] - self.y0[b]
        denom = rx * qy - ry * qx
        rlen = np.hypot(rx, ry)
        # distances of the boundary segment's ends from the program segment's line
        d0 = (rx * qy0 - ry * qx0) / rlen
        d1 = (rx * (qy0 + qy) - ry * (qx0 + qx)) / rlen
        collinear = (np.abs(d0) <= tol) & (np.abs(d1) <= tol)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qx0 * qy - qy0 * qx) / denom
            u = (qx0 * ry - qy0 * rx) / denom
        eps = 1e-12
        cross = ~collinear & (denom != 0) & (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
        # a collinear boundary segment: the stretch of the program segment it covers
        r2 = rx * rx + ry * ry
        c0 = (qx0 * rx + qy0 * ry) / r2
        c1 = ((qx0 + qx) * rx + (qy0 + qy) * ry) / r2
        lo_c, hi_c = np.clip(np.minimum(c0, c1), 0, 1), np.clip(np.maximum(c0, c1), 0, 1)
        on = collinear & (hi_c >= lo_c)
        return pair[cross], np.clip(t[cross], 0, 1), pair[on], lo_c[on], hi_c[on]

    def stretches(self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Stretches of segments A->B inside zone pieces.

        Returns
        -------
        (seg, code, t0, t1)
            For every stretch inside a piece: the segment, the piece's code, and the
            stretch as fractions 0 <= t0 <= t1 <= 1 of the segment.
        """
        z = np.zeros(0)
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), z, z)
        if not len(ax):
            return empty
        chains = _Chains(ax, ay, bx, by)
        si, pi = chains.query(self.tree, self.piece_box)  # (segment, piece) pairs to classify
        if not len(si):
            return empty
        n_pairs = len(si)
        n_pieces = np.int64(len(self.pieces))
        pair_key = si.astype(np.int64) * n_pieces + pi
        order = np.argsort(pair_key, kind="stable")
        si, pi, pair_key = si[order], pi[order], pair_key[order]
        # boundary segments near each program segment, through the runs' boxes, in batches
        # of bounded size (the candidate arrays are the engine's largest)
        sr, ri = chains.query(self.run_tree, self.run_box)
        del chains
        load = np.cumsum(self.run_count[ri])
        cross_pair, cross_t, on_pair, on_lo, on_hi = [], [], [], [], []
        lo = 0
        while lo < len(sr):
            hi = int(np.searchsorted(load, (load[lo - 1] if lo else 0) + EXPAND_BUDGET, side="right"))
            hi = max(hi, lo + 1)
            cp, ct, op, ol, oh = self._crossings(sr[lo:hi], ri[lo:hi], ax, ay, bx, by, pair_key, n_pieces)
            cross_pair.append(cp)
            cross_t.append(ct)
            on_pair.append(op)
            on_lo.append(ol)
            on_hi.append(oh)
            lo = hi
        cross_p = np.concatenate(cross_pair) if cross_pair else np.zeros(0, dtype=np.int64)
        cross_tt = np.concatenate(cross_t) if cross_t else np.zeros(0)
        on_p = np.concatenate(on_pair) if on_pair else np.zeros(0, dtype=np.int64)
        lo_c = np.concatenate(on_lo) if on_lo else np.zeros(0)
        hi_c = np.concatenate(on_hi) if on_hi else np.zeros(0)
        # breakpoints per pair: the segment's ends, crossings, ends of collinear stretches
        bp_pair = np.concatenate([np.arange(n_pairs), np.arange(n_pairs), cross_p, on_p, on_p])
        bp_t = np.concatenate([np.zeros(n_pairs), np.ones(n_pairs), cross_tt, lo_c, hi_c])
        order = np.lexsort((bp_t, bp_pair))
        bp_pair, bp_t = bp_pair[order], bp_t[order]
        nxt = np.flatnonzero((bp_pair[1:] == bp_pair[:-1]) & (bp_t[1:] > bp_t[:-1]))
        sp, t0, t1 = bp_pair[nxt], bp_t[nxt], bp_t[nxt + 1]
        # stretches shorter than a nanometre are rounding between two breakpoints that coincide
        seg_len = np.hypot(bx[si[sp]] - ax[si[sp]], by[si[sp]] - ay[si[sp]])
        real = (t1 - t0) * seg_len > 1e-9
        sp, t0, t1 = sp[real], t0[real], t1[real]
        # stretches along a collinear boundary segment are on the boundary: inside
        inside = np.zeros(len(sp), dtype=bool)
        if len(on_p):
            cp, clo, chi = on_p, lo_c, hi_c
            ordc = np.argsort(cp, kind="stable")
            cp, clo, chi = cp[ordc], clo[ordc], chi[ordc]
            first = np.searchsorted(cp, sp, side="left")
            last = np.searchsorted(cp, sp, side="right")
            has = np.flatnonzero(last > first)
            tm = (t0 + t1) / 2.0
            rep = last[has] - first[has]
            idx = np.repeat(first[has], rep) + (np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep))
            who = np.repeat(has, rep)
            hit = (clo[idx] <= tm[who]) & (tm[who] <= chi[idx])
            inside[np.unique(who[hit])] = True
        test = np.flatnonzero(~inside)
        if len(test):
            seg = si[sp[test]]
            tm = (t0[test] + t1[test]) / 2.0
            mx = ax[seg] + tm * (bx[seg] - ax[seg])
            my = ay[seg] + tm * (by[seg] - ay[seg])
            inside[test] = shapely.intersects_xy(self._targets(pi[sp[test]]), mx, my)
        k = np.flatnonzero(inside)
        return si[sp[k]].astype(np.int64), self.code[pi[sp[k]]], t0[k], t1[k]


class _Chains:
    """Program segments A->B looked up in an index of boxes as chains of consecutive segments.

    A tree query per segment needs a geometry per segment; a chain of up to :data:`PROGRAM_CHAIN`
    segments that continue one another is queried with one box (the union of its segments'
    boxes), and each of the chain's segments is then kept with the tree's items whose boxes its
    own box meets. The pairs are those of querying every segment's box (inclusive comparisons,
    as GEOS's envelope test): a box meeting a segment's box meets its chain's.
    """

    def __init__(self, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> None:
        n = len(ax)
        self.x0, self.x1 = np.minimum(ax, bx), np.maximum(ax, bx)
        self.y0, self.y1 = np.minimum(ay, by), np.maximum(ay, by)
        breaks = np.ones(n, dtype=bool)
        breaks[1:] = (ax[1:] != bx[:-1]) | (ay[1:] != by[:-1])
        pos = np.arange(n) - np.maximum.accumulate(np.where(breaks, np.arange(n), 0))
        self.start = np.flatnonzero(breaks | (pos % PROGRAM_CHAIN == 0))
        self.count = np.diff(np.r_[self.start, n])
        s = self.start
        self.boxes = shapely.box(
            np.minimum.reduceat(self.x0, s), np.minimum.reduceat(self.y0, s), np.maximum.reduceat(self.x1, s), np.maximum.reduceat(self.y1, s)
        )

    def query(self, tree: shapely.STRtree, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment, item) pairs whose boxes meet: ``box`` holds the tree items' (xmin, ymin, xmax, ymax).

        The chains' candidates are expanded to their segments at most :data:`EXPAND_BUDGET` at a
        time (the expansion's temporaries are the engine's peak of memory otherwise)."""
        ci, item = tree.query(self.boxes)
        cnt = self.count[ci]
        load = np.cumsum(cnt)
        segs, items = [], []
        lo = 0
        while lo < len(ci):
            hi = max(int(np.searchsorted(load, (load[lo - 1] if lo else 0) + EXPAND_BUDGET, side="right")), lo + 1)
            k = cnt[lo:hi]
            seg = np.repeat(self.start[ci[lo:hi]], k)
            seg += np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)
            it = np.repeat(item[lo:hi], k)
            keep = self.x0[seg] <= box[it, 2]
            keep &= self.x1[seg] >= box[it, 0]
            keep &= self.y0[seg] <= box[it, 3]
            keep &= self.y1[seg] >= box[it, 1]
            segs.append(seg[keep])
            items.append(it[keep])
            lo = hi
        if not segs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(segs), np.concatenate(items)
