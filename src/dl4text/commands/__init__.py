"""One module per ``dl4text`` verb; each has ``add_parser(subparsers)`` and sets ``run``."""
