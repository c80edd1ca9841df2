"""Offline evaluation: protocols that split a dataset, baselines, metrics, the closed-loop
simulation. Pure functions over data already read into memory; paperbot/datasets.py reads and
writes the files, paperbot/cli_eval.py is the command line.
"""
