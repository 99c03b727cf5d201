"""Load tests of the lookup path: dataset generator, locust users, load shapes and thresholds."""
