"""What each CLI subcommand does between parsing its options and choosing its exit code."""
