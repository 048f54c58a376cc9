"""Readers and writers: vector layers, coordinate/WKT tables, atomic output files."""

from sppr_gis.io.combine import combine_programs, concat_frames
from sppr_gis.io.postgis import is_postgis, write_postgis
from sppr_gis.io.tables import TABLE_SUFFIXES, parse_lat_lon, read_table
from sppr_gis.io.vector import (
    LayerInfo,
    LayerSpec,
    choose_layer,
    list_layers,
    parse_layer_spec,
    read_layer,
    read_program_sources,
    read_programs,
)
from sppr_gis.io.guard import FolderSwap, Target, check_replaceable, foreign_files, guard_outputs, table_targets
from sppr_gis.io.write import Staging, WkbLayer, atomic_path, output_error, staged, write_gpkg, write_gpkg_chunks, write_tables

__all__ = [
    "LayerInfo",
    "LayerSpec",
    "choose_layer",
    "combine_programs",
    "concat_frames",
    "list_layers",
    "parse_layer_spec",
    "parse_lat_lon",
    "read_layer",
    "read_program_sources",
    "read_programs",
    "read_table",
    "TABLE_SUFFIXES",
    "is_postgis",
    "write_postgis",
    "Staging",
    "staged",
    "WkbLayer",
    "output_error",
    "atomic_path",
    "write_gpkg",
    "write_gpkg_chunks",
    "write_tables",
    "Target",
    "guard_outputs",
    "table_targets",
    "foreign_files",
    "check_replaceable",
    "FolderSwap",
]
