"""Figures made from the coalition's records: analytics now, agendas and read-outs later."""
