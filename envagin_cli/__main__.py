from envagin_cli.cli import main

main()
