"""The repair strategy: rewrites of the suspect code, tried against the failing tests, failures fed back."""
