from betterheap.cli import main

if __name__ == "__main__":  # the loader's worker processes import this module too
    main()
