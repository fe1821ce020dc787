"""SWE-bench: datasets, instance specs and images, evaluation, grading and reports."""
