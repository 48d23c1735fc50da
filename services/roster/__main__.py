from dutyline.config import get_settings
from dutyline.grpckit.server import run

run("roster", get_settings())
