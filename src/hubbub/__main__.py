from hubbub.cli import main

main()
