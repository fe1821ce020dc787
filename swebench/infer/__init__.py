"""SWE-bench inference at scale: the agent on many instances, each in its own instance container, into preds.jsonl.

`runner.InferRunner(config, InferOptions(...)).run(instances)` is the entry point; `agent swebench infer | run`
(agent/cli/swebench_infer.py) is the command line. See README.md.
"""
