"""Readers and writers: vector layers, coordinate/WKT tables, atomic output files."""

from sppr_gis.io.tables import TABLE_SUFFIXES, read_table
from sppr_gis.io.vector import LayerSpec, parse_layer_spec, read_layer, read_programs
from sppr_gis.io.write import atomic_path, write_gpkg, write_tables

__all__ = [
    "LayerSpec",
    "parse_layer_spec",
    "read_layer",
    "read_programs",
    "read_table",
    "TABLE_SUFFIXES",
    "atomic_path",
    "write_gpkg",
    "write_tables",
]
