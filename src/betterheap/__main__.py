from betterheap.cli import main

main()
