from sweepconsole.cli import main

main()
