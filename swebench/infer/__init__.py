"""SWE-bench inference at scale: `runner.InferRunner(config, InferOptions(...)).run(instances)`; see README.md."""
