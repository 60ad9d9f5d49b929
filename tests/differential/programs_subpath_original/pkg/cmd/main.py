"""The console script `tool`: run as `python -m pkg.cmd.main`, which imports
pkg.cmd (and so patches) first, as the installed script does."""
from pkg import net


def main():
    print("socket class from", net.real_socket.socket.__module__)


if __name__ == "__main__":
    main()
