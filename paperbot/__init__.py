"""The composition root: CLI, config, wiring, the scheduler and the serving process."""
