from services.switch.adapter import main

main()
