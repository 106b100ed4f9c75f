using GateCtl;

return GateCtlApp.Run(args, Console.Out, Console.Error);
