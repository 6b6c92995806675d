"""Executes one notebook headless with Jupyter's nbclient, keeping every output even when it arrives late.

    execute.py --kernel NAME --timeout SECONDS --output PATH NOTEBOOK

Why not plain `jupyter nbconvert --execute`: the Deno kernel sometimes sends a `Deno.jupyter.display` output on
the output channel (iopub) after it has reported the cell done (status "idle"). nbclient then reads only messages
of the cell it is executing now, so such a late output, whose parent is the previous cell, is dropped without a
word; after the last cell nobody reads at all. Under CPU load that happened often enough to fail CI. Here a late
output goes into the cell that produced it, in arrival order, and after the last cell the output channel is read
until it has been quiet for a while (bounded), so the last cell's late outputs are kept too.

A cell that throws fails the run (exit status 1) with the cell and its error on stderr, and nothing is written.
"""

import argparse
import os
import sys
import time
from queue import Empty

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete, CellExecutionError
    from nbclient.util import ensure_async
except ImportError as missing:
    print(f"notebooks: {sys.executable} cannot import {missing.name}. Run 'npm run setup' or set LOUPE_PYTHON.", file=sys.stderr)
    sys.exit(1)

# After the last cell: stop reading once no message came for QUIET_SECONDS, and in any case after DRAIN_SECONDS.
QUIET_SECONDS = 2.0
DRAIN_SECONDS = 30.0


class LateOutputClient(NotebookClient):
    """An nbclient that files an output whose parent is an earlier cell of this run into that cell."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        # msg_id of each executed cell's execute request → (cell, index), in execution order.
        self.cells_by_msg_id = {}

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cells_by_msg_id[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)  # raises CellExecutionComplete on "idle"
                except CellExecutionComplete:
                    return
            elif parent in self.cells_by_msg_id:
                self.process_late_message(msg)

    def process_late_message(self, msg):
        """Files a message of an earlier cell into that cell; its status messages cannot end the current cell."""
        if msg["msg_type"] == "status":
            return
        cell, cell_index = self.cells_by_msg_id[msg["parent_header"]["msg_id"]]
        # The delayed-clear flag belongs to the cell being executed now; an earlier cell's output must not use it.
        pending_clear = self.clear_before_next_output
        self.clear_before_next_output = False
        try:
            self.process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            pass
        finally:
            self.clear_before_next_output = pending_clear

    async def drain_late_outputs(self):
        """Reads the output channel until it has been quiet for QUIET_SECONDS (at most DRAIN_SECONDS)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=min(QUIET_SECONDS, left)))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") in self.cells_by_msg_id:
                self.process_late_message(msg)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        # The kernel is still running here (async_execute shuts it down after the last cell returns).
        if cell_index == len(self.nb.cells) - 1:
            await self.drain_late_outputs()
        return cell


def main():
    parser = argparse.ArgumentParser(description="Execute a notebook, keeping outputs that arrive late.")
    parser.add_argument("notebook")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--timeout", type=int, required=True, help="seconds a cell may run")
    parser.add_argument("--output", required=True, help="where to write the executed notebook")
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    client = LateOutputClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        # A cell's outputs end with its "idle" status; wait for it as long as the cell may run (the default, 4 s,
        # gives up with a warning only and leaves a second reader on the channel), and fail rather than go on.
        iopub_timeout=args.timeout,
        raise_on_iopub_timeout=True,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"notebooks: {os.path.basename(args.notebook)} failed:\n{error}", file=sys.stderr)
        return 1
    nbformat.write(nb, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
