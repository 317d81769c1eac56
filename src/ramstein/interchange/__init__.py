"""Interchange: reading spreadsheets in and writing the aid world's formats out.

Pure over domain objects and bytes: the services gather what a viewer may see
(`interchange.records.Records`) and decide what an import changes; the modules here read and
write files.
"""
