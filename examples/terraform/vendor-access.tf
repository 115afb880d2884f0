# A role that a monitoring vendor assumes from its own AWS account to read CloudWatch metrics.

data "aws_iam_policy_document" "vendor_trust" {
  statement {
    sid     = "VendorAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::464622532012:root"]
    }
  }
}

resource "aws_iam_role" "vendor_monitoring" {
  name               = "vendor-monitoring"
  assume_role_policy = data.aws_iam_policy_document.vendor_trust.json
}

resource "aws_iam_role_policy_attachment" "vendor_read_only" {
  role       = aws_iam_role.vendor_monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"
}
