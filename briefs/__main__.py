"""``python -m briefs`` runs the command line."""

from briefs.cli import main

if __name__ == "__main__":
    main()
