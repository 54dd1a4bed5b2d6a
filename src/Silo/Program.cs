using Actors.Silo;

await SiloApp.Build(args).RunAsync();
