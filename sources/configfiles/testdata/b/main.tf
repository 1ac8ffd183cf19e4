resource "aws_s3_bucket" "uploads" {
  bucket = "localizevideos-uploads-v2"
}
