module gowheel.invalid/benches-go

go 1.23
