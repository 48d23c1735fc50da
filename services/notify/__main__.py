from dutyline.grpckit.server import run
from services.notify.server import build
from services.notify.settings import NotifySettings

run("notify", build, NotifySettings())
