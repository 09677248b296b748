"""``python -m learnburn``: the command line (the container's entrypoint runs it this way)."""

from learnburn.cli import main

if __name__ == "__main__":
    main()
