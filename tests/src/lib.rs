//! Harness for the end-to-end tests: start centime-demo, drive the centime CLI.
