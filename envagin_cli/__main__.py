from envagin_cli.cli.app import main

main()
