# The orders service: an ECS task role that reads its database credentials and connects to Aurora
# with IAM database authentication.

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

data "aws_iam_policy_document" "task_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders_task" {
  name               = "orders-task"
  assume_role_policy = data.aws_iam_policy_document.task_assume.json
}

resource "aws_iam_role_policy" "orders_db" {
  name = "orders-db"
  role = aws_iam_role.orders_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ConnectAsAppUser"
        Effect = "Allow"
        Action = ["rds:connect"]
        # Any database user of any database in the account.
        Resource = "arn:aws:rds-db:${var.region}:${local.account_id}:dbuser:*/*"
      },
      {
        Sid      = "ReadCredentials"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = "*"
      },
      {
        Sid      = "DecryptCredentials"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.orders.arn
      },
    ]
  })
}

resource "aws_kms_key" "orders" {
  description = "orders service secrets"
  policy      = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "EnableIamPolicies",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::${local.account_id}:root"},
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}
