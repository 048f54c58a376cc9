"""Command-line front end of sppr_gis (``sppr``). No analysis logic lives here."""
