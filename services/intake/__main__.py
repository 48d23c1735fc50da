from dutyline.config import get_settings
from dutyline.grpckit.server import run

run("intake", get_settings())
