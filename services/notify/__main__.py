from dutyline.config import get_settings
from dutyline.grpckit.server import run

run("notify", get_settings())
