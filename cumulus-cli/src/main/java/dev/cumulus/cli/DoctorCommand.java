package dev.cumulus.cli;

import dev.cumulus.sandbox.HostReport;
import dev.cumulus.sandbox.Sandboxes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check whether this host can sandbox function instances.",
                "Exits 1 when a check fails, i.e. 'cumulus serve' would refuse to start."})
final class DoctorCommand implements Callable<Integer> {
    private final Cli cli;

    DoctorCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<HostReport.Check> checks = HostReport.probe().checks();
        return print(checks);
    }

    int print(List<HostReport.Check> checks) {
        Text.Table table = new Text.Table("", "CHECK", "DETAIL");
        boolean allOk = true;
        for (HostReport.Check c : checks) {
            table.row(c.ok() ? "ok" : "FAIL", c.name(), c.detail() == null ? "" : Cli.oneLine(c.detail()));
            allOk &= c.ok();
        }
        table.print(cli.out);
        if (allOk) {
            cli.out.println("sandbox: available; instances run isolated");
            cli.out.flush();
            return 0;
        }
        cli.err.println("error: this host cannot sandbox instances (see FAIL above), so 'cumulus serve' will not start; "
                + "on Debian/Ubuntu: " + Sandboxes.FIX_COMMAND + " (as root). Only for code you trust completely: "
                + "'cumulus serve --sandbox " + Sandboxes.NO_ISOLATION + "' runs functions as plain, unisolated processes");
        cli.err.flush();
        return CliException.ERROR;
    }
}
