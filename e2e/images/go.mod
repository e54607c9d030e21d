module zdp.e2e/images

go 1.26.0
