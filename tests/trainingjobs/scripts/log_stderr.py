"""Reports through logging, which writes to stderr."""

import logging

logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s")
log = logging.getLogger("train")
for epoch, value in enumerate((0.7, 0.75), start=1):
    log.info("epoch %d val_accuracy=%s", epoch, value)
