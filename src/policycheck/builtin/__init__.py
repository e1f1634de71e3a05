"""Built-in plugins: each registers its rules through the public hooks only."""
