"""Ask in plain words: the analytics chat."""
